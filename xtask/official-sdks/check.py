"""The official Python SDK against the emulator: every M2M operation, token exchange and local authentication."""
import stytch
from stytch.consumer.models.m2m_clients import UpdateRequestStatus
import os
pid, secret, base = os.environ["STYTCH_PROJECT_ID"], os.environ["STYTCH_SECRET"], os.environ["STYTCH_BASE_URL"]
c = stytch.Client(pid, secret, environment=base + "/")
r = c.m2m.clients.create(scopes=["read:users", "write:users"], client_name="py")
cid, sec = r.m2m_client.client_id, r.m2m_client.client_secret
print("create", r.status_code, cid)
print("get", c.m2m.clients.get(client_id=cid).m2m_client.client_name)
s = c.m2m.clients.search(limit=10, query={"operator": "AND", "operands": [{"filter_name": "scopes", "filter_value": ["read:users"]}]})
print("search", s.results_metadata.total)
print("update", c.m2m.clients.update(client_id=cid, client_name="py2", trusted_metadata={"a": 1}).m2m_client.client_name)
t = c.m2m.token(client_id=cid, client_secret=sec, scopes=["read:users"])
print("token", t.token_type, t.expires_in)
a = c.m2m.authenticate_token(access_token=t.access_token, required_scopes=["read:users"])
print("authenticate", a.client_id if a else None, a.scopes if a else None)
assert c.m2m.authenticate_token(access_token=t.access_token, required_scopes=["delete:users"]) is None
print("authenticate with a missing scope -> None")
rs = c.m2m.clients.secrets.rotate_start(client_id=cid)
print("rotate_start", rs.m2m_client.next_client_secret_last_four)
print("rotate_cancel", c.m2m.clients.secrets.rotate_cancel(client_id=cid).m2m_client.next_client_secret_last_four)
c.m2m.clients.secrets.rotate_start(client_id=cid)
print("rotate", c.m2m.clients.secrets.rotate(client_id=cid).m2m_client.client_secret_last_four)
print("deactivate", c.m2m.clients.update(client_id=cid, status=UpdateRequestStatus.INACTIVE).m2m_client.status)
try:
    c.m2m.token(client_id=cid, client_secret=sec)
except Exception as e:
    print("token refused:", type(e).__name__, str(e)[:100])
print("delete", c.m2m.clients.delete(client_id=cid).client_id == cid)
try:
    c.m2m.clients.get(client_id=cid)
except Exception as e:
    print("get after delete:", type(e).__name__, str(e)[:120])
print("python: all steps passed")
