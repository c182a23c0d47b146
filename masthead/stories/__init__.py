"""Stories and their public life: labels, tags, bylines, slugs and the visibility gate."""
