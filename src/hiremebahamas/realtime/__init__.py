"""The live-events WebSocket (`/ws`); publishing lives in core/realtime.py."""
