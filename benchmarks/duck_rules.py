"""The SQL of benchmarks/duck_baseline.py: one query per rule of policy/regulation.yaml.

Each query selects (subject, second subject label or NULL, status) from the tables and
macros duck_baseline.SETUP makes: the records typed (dates, `sem` = the semester as one
ordinal, year * 2 + term - 1), the first row per key in file order (staff1, course1,
window1, answer1, notice1, retention1) and verdict(ok, due): pass when ok is true, pending
when as of is on or before due, else fail (a NULL ok, i.e. a comparison with a missing
value, is not true). The regulation's constants are written in, as baseline.py has them.

A semester or year a rule runs over is one that the windows announce, up to as of's: the
earliest semester any record mentions (where baseline.py starts) is never later than those.
"""
from __future__ import annotations

ACADEMIC_AFFAIRS = "['教務主任', '教學組長', '註冊組幹事', '註冊組長', '課務組長']"

RULE_SQL: dict[str, str] = {
    # 三: every one of the 13 seats is filled, and nobody sits outside them
    "working-group-seats": """
        SELECT 'school', NULL,
               verdict(count(DISTINCT role) FILTER (WHERE role IN ('校長', '教務主任', '學務主任', '實習主任',
                       '輔導主任', '教學組長', '課務組長', '註冊組長', '訓育組長', '導師代表', '教師代表',
                       '家長代表', '學生代表')) = 13 AND count(*) = 13, NULL)
        FROM working_group""",
    # 三: each member sits in a seat the regulation names
    "working-group-member-seat": """
        SELECT role || ' ' || person, NULL,
               verdict(role IN ('校長', '教務主任', '學務主任', '實習主任', '輔導主任', '教學組長', '課務組長',
                       '註冊組長', '訓育組長', '導師代表', '教師代表', '家長代表', '學生代表'), NULL)
        FROM working_group""",
    # 三: the working group meets at least once a semester
    "working-group-meets": """
        SELECT sem_label(s.sem), NULL, verdict(count(m.kind) >= 1, sem_end(s.sem))
        FROM window_sems s LEFT JOIN meetings m ON m.kind = 'working_group' AND sem_of(m.date) = s.sem
        GROUP BY s.sem""",
    # 四.(一): each enrolled student's basic data are re-checked every semester
    "basic-data-recheck": """
        SELECT st.id, sem_label(s.sem),
               CASE WHEN enrolled(st.enrolled_on, st.left_on, st.graduated_on, s.sem)
                    THEN verdict(c.student IS NOT NULL, sem_end(s.sem)) ELSE 'not_applicable' END
        FROM students st CROSS JOIN window_sems s
        LEFT JOIN (SELECT DISTINCT student, sem FROM basic_data_checks) c ON c.student = st.id AND c.sem = s.sem""",
    # 四.(一): national ID numbers have the right form and checksum
    "basic-data-national-id": """
        SELECT id, NULL, verdict(valid_national_id(national_id), NULL) FROM students""",
    # 四.(一): basic data are checked by the Registration Section
    "basic-data-checked-by-registry": """
        SELECT c.student || ' ' || sem_label(c.sem), NULL, verdict(list_has_any(p.roles, ['註冊組幹事', '註冊組長']), NULL)
        FROM basic_data_checks c LEFT JOIN staff1 p ON p.id = c.checked_by""",
    # 四.段1: the school submits to the central database within the window
    "central-submission": """
        SELECT sem_label(w.sem), NULL,
               verdict(EXISTS (SELECT 1 FROM submissions x WHERE x.sem = w.sem AND x.scope IS DISTINCT FROM 'grade3'
                                 AND x.submitted_on BETWEEN w.start AND w."end"), w."end")
        FROM window1 w WHERE w.kind = 'central_upload' AND w.sem <= now_sem()""",
    # 四.段1: grade-3 second-semester data are submitted within the K-12 Administration's window
    "grade3-submission": """
        SELECT sem_label(w.sem), NULL,
               verdict(EXISTS (SELECT 1 FROM submissions x WHERE x.sem = w.sem AND x.scope = 'grade3'
                                 AND x.submitted_on BETWEEN w.start AND w."end"), w."end")
        FROM window1 w WHERE w.kind = 'grade3_central_upload' AND w.sem <= now_sem()""",
    # 四.段3: the Office of Academic Affairs uploads the data
    "submission-by-academic-affairs": f"""
        SELECT sem_label(x.sem) || ' ' || strftime(x.submitted_on, '%Y-%m-%d'), NULL,
               verdict(list_has_any(p.roles, {ACADEMIC_AFFAIRS}), NULL)
        FROM submissions x LEFT JOIN staff1 p ON p.id = x.submitted_by""",
    # 四.(二).1: courses come from the approved course plan
    "course-in-plan": """
        SELECT id, NULL, verdict(truthy(in_course_plan), NULL) FROM courses""",
    # 四.(二).2: consultation records have date, time, place and content
    "consultation-record-complete": """
        SELECT student || ' ' || consultant, NULL,
               verdict("date" IS NOT NULL AND "time" IS NOT NULL AND place IS NOT NULL AND content IS NOT NULL, NULL)
        FROM consultations""",
    # 四.(三): at most 6 course outcomes per student per semester
    "course-outcome-quota": """
        SELECT st.id, sem_label(o.sem), verdict(o.n <= 6, NULL)
        FROM students st JOIN (SELECT student, sem, count(*) AS n FROM course_outcomes WHERE sem <= now_sem()
                               GROUP BY student, sem) o ON o.student = st.id""",
    # 四.(三): course outcomes belong to credited courses of their semester
    "course-outcome-credited": """
        SELECT o.id, NULL, verdict(c.credits > 0 AND c.sem = o.sem, NULL)
        FROM course_outcomes o LEFT JOIN course1 c ON c.id = o.course""",
    # 四.(三): course outcomes are uploaded within the school's window
    "course-outcome-in-window": """
        SELECT o.id, NULL, verdict(o.uploaded_on BETWEEN w.start AND w."end", NULL)
        FROM course_outcomes o LEFT JOIN window1 w ON w.sem = o.sem AND w.kind = 'outcome_upload'""",
    # 四.(三).1, 七.(二): the course teacher certifies within the window, after the upload; a
    # departed teacher only while able to assist (or before leaving), else the substitute
    "course-outcome-certified": """
        WITH o AS (
            SELECT o.id, o.certified_on, o.certified_by, o.uploaded_on, c.teacher, w.start, w."end",
                   coalesce(w."end", sem_end(o.sem)) AS due,
                   coalesce(t.id IS NOT NULL AND (t.status <> 'departed' OR truthy(t.can_assist)
                                                  OR o.certified_on < t.departed_on), false) AS teacher_able,
                   coalesce(list_has_any(b.roles, ['教學組長']), false) AS by_substitute_role
            FROM course_outcomes o
            LEFT JOIN course1 c ON c.id = o.course
            LEFT JOIN staff1 t ON t.id = c.teacher
            LEFT JOIN staff1 b ON b.id = o.certified_by
            LEFT JOIN window1 w ON w.sem = o.sem AND w.kind = 'certification')
        SELECT id, NULL,
               verdict(certified_on >= uploaded_on AND certified_on BETWEEN start AND "end"
                       AND ((certified_by = teacher AND teacher_able) OR (NOT teacher_able AND by_substitute_role)),
                       due)
        FROM o""",
    # 四.(四).1: at most 10 multiple performances per student per academic year
    "multi-performance-quota": """
        SELECT st.id, CAST(p.academic_year AS VARCHAR), verdict(p.n <= 10, NULL)
        FROM students st JOIN (SELECT student, academic_year, count(*) AS n FROM multi_performances
                               WHERE academic_year <= now_year() GROUP BY student, academic_year) p
             ON p.student = st.id""",
    # 四.(四).1: multiple performances are entered within a window of their academic year
    "multi-performance-in-window": """
        SELECT p.id, NULL,
               verdict(EXISTS (SELECT 1 FROM windows w WHERE w.kind = 'performance_upload'
                                 AND w.sem // 2 = p.academic_year AND p.uploaded_on BETWEEN w.start AND w."end"), NULL)
        FROM multi_performances p""",
    # 四.(四).2: cadre records are entered by the Office of Student Affairs
    "cadre-registered-by-student-affairs": """
        SELECT c.student || ' ' || sem_label(c.sem), NULL,
               verdict(list_has_any(p.roles, ['學務主任', '訓育組幹事', '訓育組長']), NULL)
        FROM cadre_records c LEFT JOIN staff1 p ON p.id = c.registered_by""",
    # 四.段2: the confirmation period lasts at least 3 days
    "confirmation-period-length": """
        SELECT sem_label(sem) || ' ' || kind, NULL, verdict("end" - start + 1 >= 3, NULL)
        FROM windows WHERE kind = 'confirmation'""",
    # 四.段4: each enrolled student answers within the period, or is deemed to have confirmed
    # once it is over; until then the answer is awaited
    "confirmation-state": """
        SELECT st.id, sem_label(w.sem),
               CASE WHEN NOT enrolled(st.enrolled_on, st.left_on, st.graduated_on, w.sem) THEN 'not_applicable'
                    ELSE verdict(CASE WHEN a."on" <= w."end" THEN a.status
                                      WHEN as_of() > w."end" THEN 'deemed_confirmed'
                                      ELSE 'awaiting' END IS DISTINCT FROM 'awaiting', w."end") END
        FROM students st CROSS JOIN (SELECT * FROM window1 WHERE kind = 'confirmation' AND sem <= now_sem()) w
        LEFT JOIN answer1 a ON a.student = st.id AND a.sem = w.sem""",
    # 四.段4: every dispute is handled by the Office of Academic Affairs, within two weeks of the period
    "dispute-handled": f"""
        SELECT c.student || ' ' || sem_label(c.sem), NULL,
               verdict(list_has_any(p.roles, {ACADEMIC_AFFAIRS}), coalesce(w."end" + 14, sem_end(c.sem)))
        FROM confirmations c LEFT JOIN staff1 p ON p.id = c.handled_by
        LEFT JOIN window1 w ON w.sem = c.sem AND w.kind = 'confirmation'
        WHERE c.status = 'disputed'""",
    # 附表.14: every office and section the duty table names finishes its checks two weeks
    # before the central upload deadline
    "unit-checks-before-deadline": """
        SELECT sem_label(w.sem), NULL, verdict(count(DISTINCT u.unit) = 7, w."end" - 14)
        FROM window1 w LEFT JOIN unit_checks u
             ON u.sem = w.sem AND u.completed_on <= w."end" - 14
            AND u.unit IN ('教務處', '學務處', '實習處', '輔導室', '教學組', '註冊組', '課務組')
        WHERE w.kind = 'central_upload' AND w.sem <= now_sem()
        GROUP BY w."end", w.sem""",
    # 五.(一): student training at least once a semester
    "student-training": """
        SELECT sem_label(s.sem), NULL, verdict(count(m.kind) >= 1, sem_end(s.sem))
        FROM window_sems s LEFT JOIN meetings m ON m.kind = 'student_training' AND sem_of(m.date) = s.sem
        GROUP BY s.sem""",
    # 五.(二): teacher workshop at least once a semester
    "teacher-workshop": """
        SELECT sem_label(s.sem), NULL, verdict(count(m.kind) >= 1, sem_end(s.sem))
        FROM window_sems s LEFT JOIN meetings m ON m.kind = 'teacher_workshop' AND sem_of(m.date) = s.sem
        GROUP BY s.sem""",
    # 五.(三): parent briefing at least once an academic year
    "parent-briefing": """
        SELECT CAST(y.year AS VARCHAR), NULL, verdict(count(m.kind) >= 1, make_date(y.year + 1912, 7, 31))
        FROM (SELECT DISTINCT sem // 2 AS year FROM window_sems) y
        LEFT JOIN meetings m ON m.kind = 'parent_briefing' AND year_of(m.date) = y.year
        GROUP BY y.year""",
    # 七.(三): a student who left before the confirmation period is sent a paper notice by the
    # registration clerk before it ends
    "mail-notice-for-leavers": """
        SELECT st.id, sem_label(w.sem),
               CASE WHEN NOT coalesce(st.enrolled_on <= sem_end(w.sem) AND st.left_on >= sem_start(w.sem)
                                      AND st.left_on < w.start, false) THEN 'not_applicable'
                    ELSE verdict(n.sent_on <= w."end" AND list_has_any(p.roles, ['註冊組幹事']), w."end") END
        FROM students st CROSS JOIN (SELECT * FROM window1 WHERE kind = 'confirmation' AND sem <= now_sem()) w
        LEFT JOIN notice1 n ON n.student = st.id AND n.sem = w.sem
        LEFT JOIN staff1 p ON p.id = n.sent_by""",
    # 八: a graduate's data are kept at least five years after graduation
    "retention-after-graduation": """
        SELECT st.id, NULL,
               CASE WHEN st.graduated_on IS NULL THEN 'not_applicable'
                    ELSE verdict(r.purge_on >= CAST(st.graduated_on + INTERVAL 5 YEAR AS DATE), NULL) END
        FROM students st LEFT JOIN retention1 r ON r.student = st.id""",
}
