"""Pure scoring functions over comment text: normalisation, flags, personal data, groups."""
