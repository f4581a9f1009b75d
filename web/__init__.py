"""Web pages for coordinators, reviewers and staff, the public display and the JSON API."""
