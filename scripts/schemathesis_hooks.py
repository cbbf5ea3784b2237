"""schemathesis hooks for chancery (loaded by scripts/schemathesis).

schemathesis cannot send `application/x-ndjson` bodies (POST /v1/import) nor
`text/tab-separated-values` ones (POST /v1/import/events) by itself: these serializers send a
generated string or bytes as they are, and anything else as one JSON line.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson", "text/tab-separated-values")
def lines(ctx, value):
    if isinstance(value, bytes):
        return {"data": value}
    if isinstance(value, str):
        return {"data": value.encode("utf-8", "surrogatepass")}
    return {"data": (json.dumps(value) + "\n").encode("utf-8")}
