"""The user's words (and an image or clip analysis) → a MusicPlan with a reason for every field."""
