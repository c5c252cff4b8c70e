"""Photos of products and brands on the web: the images stage (build.py) makes WebP and JPEG at
a few widths from each photo a row names (derive.py), and pages show them (markup.py)."""
