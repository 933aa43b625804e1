const stytch = require("stytch");
// The official Node SDK against the emulator: every M2M operation, token exchange and local authentication.
const c = new stytch.Client({ project_id: process.env.STYTCH_PROJECT_ID, secret: process.env.STYTCH_SECRET, env: process.env.STYTCH_BASE_URL + "/" });
(async () => {
  const r = await c.m2m.clients.create({ scopes: ["read:users", "write:users"], client_name: "node" });
  const cid = r.m2m_client.client_id, sec = r.m2m_client.client_secret;
  console.log("create", r.status_code, cid);
  console.log("get", (await c.m2m.clients.get({ client_id: cid })).m2m_client.client_name);
  const s = await c.m2m.clients.search({ limit: 10, query: { operator: "OR", operands: [{ filter_name: "client_id", filter_value: [cid] }] } });
  console.log("search", s.results_metadata.total);
  console.log("update", (await c.m2m.clients.update({ client_id: cid, status: "inactive" })).m2m_client.status);
  await c.m2m.clients.update({ client_id: cid, status: "active" });
  const t = await c.m2m.token({ client_id: cid, client_secret: sec, scopes: ["read:users"] });
  console.log("token", t.token_type, t.expires_in);
  const a = await c.m2m.authenticateToken({ access_token: t.access_token, required_scopes: ["read:users"] });
  console.log("authenticate", a.client_id, a.scopes);
  try { await c.m2m.authenticateToken({ access_token: t.access_token, required_scopes: ["delete:users"] }); }
  catch (e) { console.log("missing scope:", e.message.slice(0, 80)); }
  const rs = await c.m2m.clients.secrets.rotateStart({ client_id: cid });
  console.log("rotateStart", rs.m2m_client.next_client_secret_last_four);
  console.log("rotate", (await c.m2m.clients.secrets.rotate({ client_id: cid })).m2m_client.client_secret_last_four);
  console.log("delete", (await c.m2m.clients.delete({ client_id: cid })).client_id === cid);
  try { await c.m2m.clients.get({ client_id: cid }); throw new Error("get after delete succeeded"); }
  catch (e) { if (e.status_code !== 404) throw e; console.log("get after delete:", e.status_code, e.error_type); }
  console.log("node: all steps passed");
})().catch(e => { console.error("FAILED", e); process.exit(1); });
