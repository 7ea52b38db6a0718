"""Official list formats: one module per format, each turning files into FtM entities."""
