"""Judging AI output in the window: the prompt, compare tabs, the judgement and verdict forms."""
