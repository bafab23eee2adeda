"""Posts, likes, comments, @mentions and the feed."""
