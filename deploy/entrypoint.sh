#!/bin/sh
# The image's entry point: refuse to start without a real cookie secret, then run the command.
#
#   entrypoint.sh streamlit run app.py ...
#
# Every replica behind nginx must sign its cookies with the same secret
# (STREAMLIT_SERVER_COOKIE_SECRET, from deploy/regviz.env): a replica started without one makes
# up its own, and the browsers that fail over to it lose their signed cookies. So the container
# stops here, with a message and exit status 78 (EX_CONFIG), when the secret is unset, empty,
# still the placeholder of deploy/regviz.env.example, or shorter than 32 characters.
#
# Then it notes its process id in $REGVIZ_PIDFILE (default /tmp/regviz.pid) and execs the command,
# which keeps that id: deploy/healthcheck.py kills that process when the replica hangs.
# Tested directly by tests/test_deploy.py. Docs: docs/deploy.md ("The cookie secret").
set -eu

# Keep equal to the value in deploy/regviz.env.example (a test checks it).
PLACEHOLDER="change-me-to-a-long-random-string"
MIN_LENGTH=32

refuse() {
    {
        echo "regviz: refusing to start: $1."
        echo "  Every replica needs the same random STREAMLIT_SERVER_COOKIE_SECRET, e.g.:"
        echo "    cp deploy/regviz.env.example deploy/regviz.env"
        echo "    python3 -c \"import secrets; print(secrets.token_hex(32))\""
        echo "  and put the printed value in deploy/regviz.env (docs/deploy.md)."
    } >&2
    exit 78
}

if [ -z "${STREAMLIT_SERVER_COOKIE_SECRET+set}" ]; then
    refuse "STREAMLIT_SERVER_COOKIE_SECRET is not set"
fi
secret=$STREAMLIT_SERVER_COOKIE_SECRET
case $secret in
    *[![:space:]]*) ;;
    *) refuse "STREAMLIT_SERVER_COOKIE_SECRET is empty" ;;
esac
if [ "$secret" = "$PLACEHOLDER" ]; then
    refuse "STREAMLIT_SERVER_COOKIE_SECRET is still the example's placeholder"
fi
if [ "${#secret}" -lt "$MIN_LENGTH" ]; then
    refuse "STREAMLIT_SERVER_COOKIE_SECRET is shorter than $MIN_LENGTH characters"
fi

if [ "$#" -eq 0 ]; then
    echo "regviz: entrypoint.sh needs a command to run" >&2
    exit 64
fi

# A new start: healthcheck.py counts failures from zero (the file survives a container restart).
rm -f "${REGVIZ_HEALTH_STATE:-/tmp/regviz-health-failures}"
echo "$$" >"${REGVIZ_PIDFILE:-/tmp/regviz.pid}"
exec "$@"
