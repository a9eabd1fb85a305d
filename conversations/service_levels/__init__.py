"""Service levels: each conversation's clocks against its workstream's answer-time targets
(core/sla.py), recorded by their own timer when a warning or a breach falls due."""
