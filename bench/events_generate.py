"""Writes an ICEWS-shaped year of events to stdout: the published header and columns, one row
per coded sentence, with the skew of real event data.

    python3 bench/events_generate.py ROWS [SEED] [YEAR] > events.tab

(the year 2018 by default; event and story ids are numbered within the year, so the files of
different years do not repeat each other's rows)

- 250 principals (states and organizations), a few in most events: each is drawn with a
  weight falling as 1/rank^1.1 (the busiest, "Russian Federation", in about 1 row in 6);
- 20,000 officials, each coded for one principal (drawn with the same skew); 40% of sides are
  a principal itself, the rest an official;
- CAMEO codes drawn from a fixed mix: visits (042 and 043) about 8% of rows, statements and
  appeals (01x, 02x, which PLOVER does not place) about 20%, the rest spread over the
  cue categories 03 to 20 as ICEWS's are (cooperation far more than conflict);
- three rows per story, days spread over the year.
"""

import random
import sys

rows = int(sys.argv[1])
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
year = int(sys.argv[3]) if len(sys.argv) > 3 else 2018
# 2018's ids are those earlier versions of this script wrote.
ids = (year - 2018) * 100_000_000
busy = ["Russian Federation", "China", "United States", "Turkey", "Kazakhstan", "Iran",
        "India", "Germany", "France", "Japan", "Ukraine", "United Kingdom", "Israel",
        "Uzbekistan", "Kyrgyzstan", "Belarus", "Pakistan", "Egypt", "Brazil", "Afghanistan",
        "European Union", "United Nations"]
principals = busy + [f"Principality {i:03}" for i in range(250 - len(busy))]
skew = [1 / (rank + 1) ** 1.1 for rank in range(len(principals))]
officials = [(f"Official {i:05} ({p})", p)
             for i, p in enumerate(random.choices(principals, skew, k=20000))]
codes = {"042": 4, "043": 4, "010": 12, "020": 8, "036": 9, "040": 8, "046": 4, "051": 6,
         "057": 5, "061": 5, "0311": 3, "071": 3, "112": 6, "120": 4, "130": 3, "163": 2,
         "173": 4, "190": 3, "084": 2, "0841": 1}
code_list, code_weights = list(codes), list(codes.values())
organizations = {"European Union", "United Nations"}
out = sys.stdout
out.write("Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\t"
          "CAMEO Code\tIntensity\tTarget Name\tTarget Sectors\tTarget Country\tStory ID\t"
          "Sentence Number\tPublisher\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude\n")


def side():
    if random.random() < 0.4:
        principal = random.choices(principals, skew)[0]
        country = "" if principal in organizations else principal
        return principal, "", country
    name, principal = random.choice(officials)
    country = "" if principal in organizations else principal
    return name, "Government,Executive", country


for i in range(rows):
    source, target = side(), side()
    day = random.randrange(365)
    month, date = 1 + day * 12 // 365, 1 + day % 28
    out.write(f"{ids + 10_000_000 + i}\t{year}-{month:02}-{date:02}\t{source[0]}\t{source[1]}\t"
              f"{source[2]}\tText\t{random.choices(code_list, code_weights)[0]}\t1.0\t"
              f"{target[0]}\t{target[1]}\t{target[2]}\t{ids + 20_000_000 + i // 3}\t{1 + i % 3}\t"
              f"Wire {i % 40}\t\t\t\t\t\t\n")
