"""All SQL lives here, one module per table family. Functions take `db` first and return
plain dicts."""
