# Sourced, not run. start_mock DIR [BINARY] builds the mock API into DIR
# (or runs BINARY, a mock built already), starts it on a free loopback
# port, exports NOTIFICATION_ENDPOINT (and the v1 demo session token as
# NOTIFICATION_TOKEN) and sets mock_pid; the caller stops it (kill
# "$mock_pid"). MOCK_ADDR picks another address.
start_mock() {
  local dir=$1 binary=${2:-} root
  if [ -z "$binary" ]; then
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    binary=$dir/notification-mock
    go build -o "$binary" "$root/internal/mockapi/cmd/notification-mock"
  fi
  # The log exists before the mock starts: the background job creates its
  # redirection only when it runs, and a loop reading a file not there yet
  # printed two shell errors as the first lines of make demo.
  : > "$dir/mock.log"
  MOCK_ADDR=${MOCK_ADDR:-127.0.0.1:0} "$binary" >> "$dir/mock.log" 2>&1 &
  mock_pid=$!
  # The first line is the address bound. Wait for that whole line, for as
  # long as the mock is alive (a loaded CI machine may start it slowly), up
  # to two minutes; a mock that exits is reported at once.
  local lines
  for _ in $(seq 1200); do
    lines=$(wc -l < "$dir/mock.log")
    [ "${lines:-0}" -ge 1 ] && break
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.1
  done
  NOTIFICATION_ENDPOINT=$(sed -n 1p "$dir/mock.log")
  case "$NOTIFICATION_ENDPOINT" in
    http://*) ;;
    *) echo "the mock did not start:"; cat "$dir/mock.log"; return 1 ;;
  esac
  export NOTIFICATION_ENDPOINT NOTIFICATION_TOKEN=demo-session-token
}
