"""Case modules of the evaluation set; every module here with `make_cases` is run."""
