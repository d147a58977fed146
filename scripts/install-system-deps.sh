#!/usr/bin/env bash
# Installs the system packages cis-worker needs on Debian/Ubuntu (run as root).
# The Dockerfile calls this same script, so the tests run against what the image has.
#
#   install-system-deps.sh runtime   Tesseract 5 (jpn, jpn_vert, eng, osd), poppler, CJK fonts,
#                                    LibreOffice without GUI (legacy Office and RTF)
#   install-system-deps.sh dev       runtime + what tests, samples and the image build need
#   install-system-deps.sh test      runtime + what the tests without OpenSearch and Docker
#                                    need (CodeBuild's gate before the push: buildspec.yml)
#   install-system-deps.sh image     runtime + Debian's python3 (the image's final stage)
#   install-system-deps.sh image-build  python3 and venv (the image's build stage)
#   install-system-deps.sh docs      Graphviz, for docs/architecture.png (scripts/diagram.sh)
#
# CA_BUNDLE=FILE: apt trusts that CA bundle too (the image build behind a TLS-inspecting
# proxy mounts one as a BuildKit secret; it is never written into the system).
#
# Only missing packages are installed, so a second run is quick. The script leaves apt's
# package lists in place: on a host they are the host's, and the image build keeps them (and
# the .debs) in BuildKit cache mounts, outside every layer.
set -euo pipefail

profile="${1:-runtime}"

runtime=(
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd tesseract-ocr-jpn tesseract-ocr-jpn-vert
  poppler-utils poppler-data       # pdftotext/pdftoppm/pdfinfo/pdffonts; CJK CMaps
  fonts-ipafont-gothic fonts-ipafont-mincho  # render PDFs whose Japanese fonts are not embedded
  ca-certificates
  # .doc/.xls/.ppt/.rtf -> OOXML (office/libreoffice.py); ~305 MB installed, see docs/office-engines.md
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
)
test=(                            # what the tests need besides the runtime (buildspec.yml too)
  procps qpdf util-linux          # qpdf makes encrypted PDFs; setpriv runs a test without root's powers
  libgsf-bin                      # `gsf createole` writes the OLE2 files of the .msg fixtures
  zip p7zip-full gcab             # archive fixtures: encrypted zip members, 7z and cab (unsupported)
  python3-uno                     # tests: password-protected .doc/.xls; bench: a kept-alive office
)
dev=(
  make git curl                   # the Makefile, the checkout, scripts' downloads
  unzip                           # scripts/opensearch.sh unpacks the OpenSearch distribution
  docker.io debootstrap           # the image is built and run in the tests
  # bench/eval draws its pages in more fonts than the runtime's IPA pair (Noto Serif CJK is
  # the held-out font the OCR rules were never tuned on)
  fonts-noto-cjk fonts-ipaexfont-mincho fonts-ipaexfont-gothic fonts-vlgothic
)

case "$profile" in
  runtime) wanted=("${runtime[@]}") ;;
  dev)
    wanted=("${runtime[@]}" "${test[@]}" "${dev[@]}")
    python3 -m venv --help >/dev/null 2>&1 || wanted+=(python3 python3-venv python3-pip)
    command -v java >/dev/null 2>&1 || wanted+=(openjdk-17-jre-headless)
    command -v mvn >/dev/null 2>&1 || wanted+=(maven)
    ;;
  test) wanted=("${runtime[@]}" "${test[@]}") ;;
  image) wanted=("${runtime[@]}" python3) ;;
  image-build) wanted=(python3 python3-venv) ;;
  docs) wanted=(graphviz) ;;
  *) echo "usage: $0 runtime|dev|test|image|image-build|docs" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all present (${profile})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]} (run this script as root)" >&2
  exit 2
fi

echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=()
if [ -n "${CA_BUNDLE:-}" ] && [ -r "$CA_BUNDLE" ]; then
  apt_opts+=(-o "Acquire::https::CAInfo=$CA_BUNDLE")
fi
apt-get "${apt_opts[@]}" update -q
apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}"
