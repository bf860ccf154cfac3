#!/usr/bin/env bash
# 45_two_vms_svm_qemu.sh in Bochs ryzen: SVM with nested paging and NRIP save (BV_BACKEND).
BV_BACKEND=svm-bochs exec bash "$(dirname "$0")/45_two_vms_svm_qemu.sh"
