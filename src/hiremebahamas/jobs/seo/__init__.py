"""What search engines and feed readers get: JSON-LD on job pages, the sitemap, Atom feeds."""
