"""A local stand-in for Stripe's HTTP API: a real HTTP server on loopback that answers the calls
the app makes (customers, checkout and portal sessions, subscription updates, products, prices
by lookup key) with Stripe's REST shapes, so the real `stripe` SDK can be pointed at it.

Requests are form-encoded with Stripe's bracket notation (`metadata[user_id]=…`,
`line_items[0][price]=…`); every request is recorded for assertions.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_KEY = "sk_test_hmb_fake_0123456789"
_PART = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`a[b][0][c]=v` pairs into nested dicts and lists, as Stripe reads them."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = [name or index for name, index in _PART.findall(key)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    decoded: dict[str, Any] = _listify(root)
    return decoded


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


@dataclass
class StripeFake:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkout_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    _idempotent: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            for store in (self.customers, self.products, self.prices, self.subscriptions, self.checkout_sessions):
                store.clear()
            self._idempotent.clear()

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def add_price(self, lookup_key: str, amount: int, interval: str, product: str) -> dict[str, Any]:
        price = _price(f"price_{secrets.token_hex(6)}", lookup_key, amount, interval, product, "usd")
        self.prices[price["id"]] = price
        return price

    # ------------------------------------------------------------------ handlers

    def handle(self, method: str, path: str, params: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(Recorded(method, path, params, key))
            if key and (method, path, key) in self._idempotent:
                return 200, self._idempotent[(method, path, key)]
            status, body = self._route(method, path, params)
            if key and status == 200:
                self._idempotent[(method, path, key)] = body
            return status, body

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        match (method, parts):
            case ("POST", ["v1", "customers"]):
                return 200, self._create_customer(params)
            case ("GET", ["v1", "prices"]):
                return 200, self._list_prices(params)
            case ("POST", ["v1", "prices"]):
                return 200, self._create_price(params)
            case ("POST", ["v1", "prices", price_id]):
                return self._update(self.prices, price_id, "price", {"active": _flag(params.get("active", "true"))})
            case ("GET", ["v1", "products", product_id]):
                return self._get(self.products, product_id, "product")
            case ("POST", ["v1", "products"]):
                return 200, self._create_product(params)
            case ("POST", ["v1", "products", product_id]):
                changes = {"name": params.get("name"), "active": _flag(params.get("active", "true"))}
                return self._update(self.products, product_id, "product", changes)
            case ("POST", ["v1", "checkout", "sessions"]):
                return self._create_checkout(params)
            case ("POST", ["v1", "billing_portal", "sessions"]):
                return self._create_portal(params)
            case ("POST", ["v1", "subscriptions", subscription_id]):
                changes = {"cancel_at_period_end": _flag(params.get("cancel_at_period_end"))}
                return self._update(self.subscriptions, subscription_id, "subscription", changes)
        return 404, _error(f"Unrecognized request URL ({method}: {path}).", None)

    def _create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = {
            "id": f"cus_{secrets.token_hex(7)}",
            "object": "customer",
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
            "livemode": False,
        }
        self.customers[customer["id"]] = customer
        return customer

    def _list_prices(self, params: dict[str, Any]) -> dict[str, Any]:
        keys = params.get("lookup_keys") or []
        active = params.get("active")
        data = [
            price
            for price in self.prices.values()
            if (not keys or price["lookup_key"] in keys) and (active is None or price["active"] == _flag(active))
        ]
        return {"object": "list", "data": data[: int(params.get("limit", 10))], "has_more": False, "url": "/v1/prices"}

    def _create_price(self, params: dict[str, Any]) -> dict[str, Any]:
        key = params.get("lookup_key")
        if key and _flag(params.get("transfer_lookup_key")):
            for price in self.prices.values():
                if price["lookup_key"] == key:
                    price["lookup_key"] = None
        recurring = params.get("recurring", {})
        price = _price(
            f"price_{secrets.token_hex(6)}",
            key,
            int(params["unit_amount"]),
            recurring.get("interval"),
            params["product"],
            params["currency"],
        )
        self.prices[price["id"]] = price
        return price

    def _create_product(self, params: dict[str, Any]) -> dict[str, Any]:
        product_id = params.get("id") or f"prod_{secrets.token_hex(6)}"
        product = {
            "id": product_id,
            "object": "product",
            "name": params["name"],
            "active": True,
            "metadata": params.get("metadata", {}),
        }
        self.products[product_id] = product
        return product

    def _create_checkout(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if params.get("mode") != "subscription":
            return 400, _error("mode must be subscription in this fake", "mode")
        items = params.get("line_items") or []
        if not items or items[0].get("price") not in self.prices:
            return 400, _error("No such price", "line_items[0][price]")
        if params.get("customer") not in self.customers:
            return 400, _error("No such customer", "customer")
        session_id = f"cs_test_{secrets.token_hex(10)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "customer": params["customer"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "status": "open",
            "payment_status": "unpaid",
            "subscription": None,
            "line_items_price": items[0]["price"],
            "subscription_data": params.get("subscription_data", {}),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        self.checkout_sessions[session_id] = session
        return 200, session

    def _create_portal(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if params.get("customer") not in self.customers:
            return 400, _error("No such customer", "customer")
        session_id = f"bps_{secrets.token_hex(10)}"
        return 200, {
            "id": session_id,
            "object": "billing_portal.session",
            "customer": params["customer"],
            "return_url": params.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/{session_id}",
        }

    @staticmethod
    def _get(store: dict[str, dict[str, Any]], object_id: str, kind: str) -> tuple[int, dict[str, Any]]:
        if object_id not in store:
            return 404, _error(f"No such {kind}: '{object_id}'", "id")
        return 200, store[object_id]

    @staticmethod
    def _update(
        store: dict[str, dict[str, Any]], object_id: str, kind: str, changes: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if object_id not in store:
            return 404, _error(f"No such {kind}: '{object_id}'", "id")
        store[object_id].update({key: value for key, value in changes.items() if value is not None})
        return 200, store[object_id]

    # ------------------------------------------------------------------ server

    def start(self) -> StripeFake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    self._send(401, _error("Invalid API Key provided", None, "authentication_error"))
                    return
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                pairs = parse_qsl(split.query, keep_blank_values=True) + parse_qsl(body, keep_blank_values=True)
                status, answer = fake.handle(
                    method, split.path, decode_form(pairs), self.headers.get("Idempotency-Key")
                )
                self._send(status, answer)

            def _send(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _price(
    price_id: str, key: str | None, amount: int, interval: str | None, product: str, currency: str
) -> dict[str, Any]:
    return {
        "id": price_id,
        "object": "price",
        "active": True,
        "currency": currency,
        "lookup_key": key,
        "product": product,
        "recurring": {"interval": interval, "interval_count": 1},
        "type": "recurring",
        "unit_amount": amount,
    }


def _error(message: str, param: str | None, kind: str = "invalid_request_error") -> dict[str, Any]:
    code = "resource_missing" if message.startswith("No such") else None
    return {"error": {"type": kind, "code": code, "message": message, "param": param}}
