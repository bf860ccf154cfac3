#!/usr/bin/env bash
# 20_isolation_bochs.sh on AMD SVM with nested paging and NRIP save, in Bochs ryzen:
# the same script and assertions as on VT-x, the vendor names from lib.sh (BV_BACKEND).
BV_BACKEND=svm-bochs exec bash "$(dirname "$0")/20_isolation_bochs.sh"
