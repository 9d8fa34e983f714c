#!/usr/bin/env bash
# Create one virtualenv per peer tool (they cannot share one: TPOT 1.1 needs
# xgboost>=3, FLAML's [automl] extra pins xgboost<3). Peers are benchmark-only;
# autopipe itself never depends on them.
#
#   bash benchmarks/peers/setup.sh            # into benchmarks/.venvs/
#   VENVS=/somewhere bash benchmarks/peers/setup.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venvs="${VENVS:-$here/../.venvs}"
python="${PYTHON:-python3}"

make_venv() {  # name, packages...
    local name="$1"; shift
    if [ ! -x "$venvs/$name/bin/python" ]; then
        "$python" -m venv "$venvs/$name"
    fi
    "$venvs/$name/bin/pip" install -q --upgrade pip
    # torch first and pinned, so that nothing pulls a CUDA build
    "$venvs/$name/bin/pip" install -q torch==2.13.0
    "$venvs/$name/bin/pip" install -q "$@"
    "$venvs/$name/bin/python" -c "import sys; print('$name ready:', sys.executable)"
}

# stopit (a TPOT dependency) imports pkg_resources, gone from setuptools 81
make_venv tpot "tpot==1.1.0" "setuptools<81" pandas scikit-learn
make_venv flaml "flaml[automl]" pandas scikit-learn
