"""Counts the rows of a UTF-8 CSV file with Python's csv module: the Python reading floor."""

import csv
import sys

with open(sys.argv[1], newline="", encoding="utf-8") as file:
    print(sum(1 for _ in csv.reader(file)))
