# Sourced by scripts that run a tool from a virtual environment of its own (checkov.sh,
# lock.sh): a tool whose pins would fight the project's lives beside .venv, not in it.
#
#   tool_venv VENV HAVE WANT PIP_INSTALL_ARGS...
#
# When HAVE (the version the tool in VENV reports now, empty when it is missing) is not
# WANT: create VENV if it has no python yet, then `pip install -q PIP_INSTALL_ARGS...` in it.
tool_venv() {
  local venv="$1" have="$2" want="$3"
  shift 3
  if [ "$have" != "$want" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q "$@"
  fi
}
