#!/usr/bin/env bash
# `make demo`: the demo archives harvested into the portal, served at http://127.0.0.1:5000.
# OpenSearch and Tika are started by the Makefile before this runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"

if [ ! -f .env ]; then
  # A secret of this machine's own, never one from the repository.
  sed -e "s/^SECRET_KEY=.*/SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')/" \
    -e "s/^PERSONAL_DATA_KEY=.*/PERSONAL_DATA_KEY=$(.venv/bin/python -c \
      'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')/" \
    .env.example > .env
  log "wrote .env with a fresh SECRET_KEY and PERSONAL_DATA_KEY"
elif ! grep -q '^PERSONAL_DATA_KEY=.' .env; then
  # An .env from before personal data were encrypted: add a key of its own.
  echo "PERSONAL_DATA_KEY=$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" >> .env
  log "added a fresh PERSONAL_DATA_KEY to .env"
fi
export FLASK_APP=app
scripts/demo-archives.sh start
scripts/mail-sink.sh start
# Mail goes to the local sink unless .env names a real server.
export MAIL_SERVER="${MAIL_SERVER:-127.0.0.1}" MAIL_PORT="${MAIL_PORT:-$MAIL_SINK_PORT}"
flask() { .venv/bin/flask "$@"; }
flask db upgrade

# Demo accounts: one password of this machine's own, made on the first run, kept outside the clone.
password_file="$RUNTIME_DIR/demo-password"
if [ ! -s "$password_file" ]; then
  (umask 077; .venv/bin/python -c 'import secrets; print("demo-" + secrets.token_urlsafe(12))' >"$password_file")
fi
demo_password="$(cat "$password_file")"
add_user() { PORTAL_USER_PASSWORD="$demo_password" flask users add --if-missing "$@" >/dev/null; }
add_user doc.gia@demo.archives.vn --name "Nguyễn Thị Độc Giả" --role reader
add_user vienchuc.vinhlong@demo.archives.vn --name "Trần Văn Lưu" --role staff --province 86
add_user quantri.hue@demo.archives.vn --name "Lê Thị Hương" --role archive_admin --province 46
add_user quantri.quocgia@demo.archives.vn --name "Phạm Quốc Gia" --role national_admin
add_user thanhtra@demo.archives.vn --name "Võ Thanh Tra" --role auditor
archives="http://127.0.0.1:$DEMO_ARCHIVES_PORT"
flask sources add --id vinhlong --province 86 --url "$archives/vinhlong/oai" \
  --name "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"
flask sources add --id hue --province 46 --url "$archives/hue/oai" \
  --name "Trung tâm Lưu trữ lịch sử thành phố Huế"
flask sources add --id cantho --province 92 --url "$archives/cantho/oai" \
  --name "Trung tâm Lưu trữ lịch sử thành phố Cần Thơ"
# An AtoM-like archive: whole finding aids (EAD) of Lâm Đồng's fonds and of the former Đắk Nông's.
flask sources add --id lamdong --province 68 --prefix oai_ead --url "$archives/lamdong/oai" \
  --name "Trung tâm Lưu trữ lịch sử tỉnh Lâm Đồng"
# Packages handed over by agencies (TT 05/2025 SIPs, a damaged one, a BagIt bag), dropped in an inbox;
# their PDFs are signed by a demo CA, trusted here so that the portal shows those signatures as valid.
inbox="$RUNTIME_DIR/demo-inbox"
.venv/bin/python -m demo packages --out "$inbox" --ca-out "$RUNTIME_DIR/demo-signing-ca.pem" >/dev/null
export SIGNATURE_TRUST_ROOTS="${SIGNATURE_TRUST_ROOTS:-$RUNTIME_DIR/demo-signing-ca.pem}"
flask sources add --id vinhlong-nop --kind package --province 86 --url "$inbox" \
  --name "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long – tiếp nhận hồ sơ điện tử"
flask harvest --all

# Officials sign in through the Keycloak the Makefile started, with the realm the project ships.
keycloak_secrets="$RUNTIME_DIR/keycloak/secrets.env"
if [ -r "$keycloak_secrets" ]; then
  export OIDC_ISSUER="${OIDC_ISSUER:-http://127.0.0.1:$KEYCLOAK_PORT/realms/archives}"
  export OIDC_CLIENT_ID="${OIDC_CLIENT_ID:-archives-portal}"
  OIDC_CLIENT_SECRET="${OIDC_CLIENT_SECRET:-$(sed -n 's/^ARCHIVES_OIDC_CLIENT_SECRET=//p' "$keycloak_secrets")}"
  export OIDC_CLIENT_SECRET
fi

cat <<MSG

  The portal:        http://127.0.0.1:${PORTAL_PORT:-5000}
  The search API:    http://127.0.0.1:${PORTAL_PORT:-5000}/api/v1/search?q=vinh+long
  Demo archives:     $archives/vinhlong/oai  $archives/hue/oai  $archives/cantho/oai
                     $archives/lamdong/oai (oai_ead)
  Package inbox:     $inbox (processed packages move to done/ and rejected/, with reports)
  OpenSearch:        http://127.0.0.1:$OPENSEARCH_PORT    Tika: http://127.0.0.1:$TIKA_PORT

  Demo accounts (local; password for all: $demo_password, kept in $password_file):
    doc.gia@demo.archives.vn            reader
    vienchuc.vinhlong@demo.archives.vn  staff of Vĩnh Long (86)
    quantri.hue@demo.archives.vn        archive admin of Huế (46)
    quantri.quocgia@demo.archives.vn    national admin
    thanhtra@demo.archives.vn           auditor
  Officials (government sign-on through Keycloak, http://127.0.0.1:$KEYCLOAK_PORT; passwords in
  $keycloak_secrets, the ARCHIVES_DEMO_PASSWORD_* lines):
    vinhlong.staff    staff of Vĩnh Long (86)       hue.admin       archive admin of Huế (46)
    national.admin    national admin                auditor         auditor
    official.nogroup  in no mapped group: a reader
  Mail the portal sends: $RUNTIME_DIR/mail/*.eml (SMTP sink on 127.0.0.1:$MAIL_SINK_PORT)

  Stop with Ctrl-C; \`make stop\` stops OpenSearch, Tika and the demo archives.

MSG
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORTAL_PORT:-5000}"
