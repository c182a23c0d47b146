"""Images: lead images and author photos, with caption, credit and alt text."""
