"""The yardstick: the least a Flask app can do for a list of 25 items, served by `gunicorn -w 2`."""
from flask import Flask, Response, json

app = Flask(__name__)
ITEMS = json.dumps({"data": [{"id": f"item{n:06d}", "type": "things", "attributes": {"n": n}} for n in range(25)]})


@app.get("/items")
def items():
    return Response(ITEMS, mimetype="application/json")
