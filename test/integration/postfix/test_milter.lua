-- test_milter.lua - mugai-milter's callbacks driven by miltertest, a fake MTA.
--
-- Run by test_relay.py miltertest:
--   miltertest -D MILTER=path -D CONF=mugai.conf -D SOCKET=inet:PORT@127.0.0.1 -s test_milter.lua
-- Checks, at the protocol level and without Postfix: option negotiation (no
-- reply to RCPT, DATA, header fields, end of headers or body chunks),
-- every original header deleted and X-Mugai added, the body replaced, several
-- messages on one connection with an abort between them, a message without a
-- body, a virus withheld, and a refusal to work for an MTA that does not
-- allow body changes.

local function expect(cond, what)
  if not cond then
    error("FAIL: " .. what)
  end
end

local function ok(result, what)
  expect(result == nil, what .. ": " .. tostring(result))
end

local function continue_reply(conn, what)
  expect(mt.getreply(conn) == SMFIR_CONTINUE, what .. ": reply was not continue")
end

local function accepted(conn, what)
  local reply = mt.getreply(conn)
  expect(reply == SMFIR_CONTINUE or reply == SMFIR_ACCEPT,
         what .. ": end of message not accepted")
end

local function envelope(conn, queue_id)
  ok(mt.mailfrom(conn, "<sender@internet.example>"), "mailfrom")
  continue_reply(conn, "mailfrom")
  -- after MAIL: libmilter forgets RCPT macros at each new MAIL
  mt.macro(conn, SMFIC_RCPT, "i", queue_id)
  ok(mt.rcptto(conn, "<staff@lgwan.example.jp>"), "rcptto")
  continue_reply(conn, "rcptto")
end

local function headers(conn, list)
  for _, h in ipairs(list) do
    ok(mt.header(conn, h[1], h[2]), "header " .. h[1])
    continue_reply(conn, "header " .. h[1])
  end
  ok(mt.eoh(conn), "eoh")
  continue_reply(conn, "eoh")
end

local COMMON = {
  { "Received", " from a by b; Sun, 22 Nov 2026 10:00:00 +0900" },
  { "Received", " from c by d; Sun, 22 Nov 2026 09:59:00 +0900" },
  { "From", " Sender <sender@internet.example>" },
  { "To", " staff@lgwan.example.jp" },
  { "Subject", " milter test" },
  { "Date", " Sun, 22 Nov 2026 10:00:00 +0900" },
  { "Message-ID", " <mt-1@internet.example>" },
  { "X-Evil", " original header that must not pass" },
  { "MIME-Version", " 1.0" },
  { "Content-Type", " text/plain; charset=utf-8" },
}

mt.echo("*** start " .. MILTER)
mt.startfilter(MILTER, "-f", "-c", CONF)
mt.set_timeout(60)

local conn = mt.connect(SOCKET, 100, 0.2)
expect(conn ~= nil, "cannot connect to " .. SOCKET)
ok(mt.conninfo(conn, "client.internet.test", "127.0.0.1"), "conninfo")
continue_reply(conn, "conninfo")
expect(mt.test_action(conn, SMFIF_CHGBODY), "did not ask for body changes")
expect(mt.test_action(conn, SMFIF_CHGHDRS), "did not ask for header changes")
-- no reply to RCPT, DATA, header fields, end of headers and body chunks: the
-- MTA sends them all at once and waits at end of message
for name, step in pairs({ rcpt = SMFIP_NR_RCPT, data = SMFIP_NR_DATA, header = SMFIP_NR_HDR,
                          eoh = SMFIP_NR_EOH, body = SMFIP_NR_BODY }) do
  expect(mt.test_option(conn, step), "did not ask for no reply to " .. name)
end
expect(not mt.test_option(conn, SMFIP_NR_MAIL), "asked for no reply to MAIL FROM")
ok(mt.helo(conn, "client.internet.test"), "helo")

-- 1. one ordinary message
envelope(conn, "MT0001")
headers(conn, COMMON)
ok(mt.bodystring(conn, "SENTINEL-1 本文です。\r\n"), "body")
continue_reply(conn, "body")
ok(mt.eom(conn), "eom")
accepted(conn, "message 1")
expect(mt.eom_check(conn, MT_HDRDELETE, "X-Evil"), "X-Evil not deleted")
expect(mt.eom_check(conn, MT_HDRDELETE, "Received"), "Received not deleted")
expect(mt.eom_check(conn, MT_HDRADD, "X-Mugai"), "X-Mugai not added")
expect(mt.eom_check(conn, MT_HDRADD, "Subject"), "Subject not re-added")
expect(not mt.eom_check(conn, MT_HDRADD, "X-Evil"), "X-Evil re-added")
expect(mt.eom_check(conn, MT_BODYCHANGE), "body not replaced")
mt.echo("ok: message 1 replaced")

-- 2. a message aborted after its headers (RSET), then another one
envelope(conn, "MT0002")
headers(conn, COMMON)
ok(mt.abort(conn), "abort")
envelope(conn, "MT0003")
headers(conn, COMMON)
ok(mt.eom(conn), "eom without body")
accepted(conn, "message 3 (no body)")
expect(mt.eom_check(conn, MT_HDRADD, "X-Mugai"), "X-Mugai not added (no body)")
expect(mt.eom_check(conn, MT_BODYCHANGE), "body not replaced (no body)")
mt.echo("ok: abort, then a message without body")

-- 3. a virus: withheld, replaced by the notice
envelope(conn, "MT0004")
headers(conn, COMMON)
ok(mt.bodystring(conn, "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS"
                       .. "-TEST-FILE!$H+H*\r\n"), "virus body")
continue_reply(conn, "virus body")
ok(mt.eom(conn), "eom virus")
accepted(conn, "virus withheld")
expect(mt.eom_check(conn, MT_HDRADD, "X-Mugai"), "X-Mugai not added (virus)")
expect(mt.eom_check(conn, MT_BODYCHANGE), "virus body not replaced")
mt.echo("ok: virus replaced by the notice")
ok(mt.disconnect(conn), "disconnect")

-- 4. an MTA that does not allow body changes: the milter refuses to work
local bad = mt.connect(SOCKET, 10, 0.2)
expect(bad ~= nil, "second connection")
local refused = mt.negotiate(bad, nil, SMFIF_ADDHDRS + SMFIF_CHGHDRS, nil)
expect(refused ~= nil or mt.getreply(bad) ~= SMFIR_CONTINUE,
       "negotiation without SMFIF_CHGBODY was accepted")
mt.echo("ok: refused an MTA without body changes")
mt.echo("*** PASS")
