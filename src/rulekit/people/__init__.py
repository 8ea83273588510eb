"""Who is responsible: substitute chains (七.(一)), the teacher rule (七.(二)), duties, handover, the roster."""
