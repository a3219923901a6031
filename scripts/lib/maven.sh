#!/usr/bin/env bash
# maven.sh — resolving jars from the Maven registry with mvn (sourced, not
# run). Used by scripts/install-deps.sh (the broker) and bench/connect.sh
# (Kafka Connect).

# maven_copy_jars DEST GROUP:ARTIFACT:VERSION...
# Resolves the artifacts and their runtime dependencies into DEST (emptied
# first), through a throw-away pom that lists them. Returns mvn's status.
maven_copy_jars() {
    local dest=$1
    shift
    local tmp rc=0 coord group artifact version
    tmp="$(mktemp -d)" || return 1  # Called under ||, so set -e does not stop us.
    {
        printf '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        printf '  <modelVersion>4.0.0</modelVersion>\n'
        printf '  <groupId>local.kafka2cos</groupId>\n'
        printf '  <artifactId>resolved-jars</artifactId>\n'
        printf '  <version>1</version>\n'
        printf '  <packaging>pom</packaging>\n'
        printf '  <dependencies>\n'
        for coord in "$@"; do
            IFS=: read -r group artifact version <<<"$coord"
            printf '    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n' \
                "$group" "$artifact" "$version"
        done
        printf '  </dependencies>\n</project>\n'
    } >"$tmp/pom.xml"
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$tmp" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$dest") || rc=$?
    rm -rf "$tmp"
    return "$rc"
}
