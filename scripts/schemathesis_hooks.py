"""schemathesis hooks for chancery (loaded by scripts/schemathesis).

schemathesis cannot send `application/x-ndjson` bodies (POST /v1/import) by itself: this
serializer sends a generated string as it is, and anything else as one JSON line.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return {"data": value}
    if isinstance(value, str):
        return {"data": value.encode("utf-8", "surrogatepass")}
    return {"data": (json.dumps(value) + "\n").encode("utf-8")}
