#!/usr/bin/env bash
# 25_hostile_guests_bochs.sh on AMD SVM with nested paging, in QEMU TCG (-cpu EPYC, no NRIP save):
# the same script and assertions as on VT-x, the vendor names from lib.sh (BV_BACKEND).
BV_BACKEND=svm exec bash "$(dirname "$0")/25_hostile_guests_bochs.sh"
