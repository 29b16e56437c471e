# Sourced by the provision benchmarks: one reactor run compiles the provision module's test
# classes and lists their classpath (the modules' own target dirs included) in $cp.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mvn -B -q -ntp -pl provision -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp="$root/provision/target/test-classes:$root/provision/target/classes:$(cat "$root/provision/target/bench-classpath.txt")"
