"""Every renderer: check reports, the 修正條文對照表, `show`, policy test runs, GitHub annotations, text tables."""
