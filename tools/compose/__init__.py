"""Plan → ABC: the rule-based composer and the critic → revise loop."""
