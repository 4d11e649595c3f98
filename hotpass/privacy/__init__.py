"""Personal data under control: suppression, retention, the processing register and data-subject requests."""
