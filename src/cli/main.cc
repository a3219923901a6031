// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
int main() { return 0; }
