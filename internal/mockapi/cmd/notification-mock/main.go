// Command notification-mock serves the mock notification APIs: for a person
// trying the provider (`make mock`), and for a team testing its own
// configuration in CI, started from a state file that mirrors its account.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "notification-mock:", err)
			os.Exit(2)
		}
	}
}

const usage = `Usage: notification-mock [flags]

Serves the mock v1 (PATCH) and vastai (PUT) notification preferences APIs
from memory. The first line printed is the URL bound, for scripts to read;
then the demo credentials.

Flags:
`

const adminHelp = `
Admin endpoints, for tests (no token, never journalled, never faulted):
  POST /_mock/reset      back to how the mock started, -state file included
  POST /_mock/set        {"token": T, "preferences": {"email.x": true}}: change the
                         values of the user T authenticates, as another client would
  POST /_mock/withdraw   {"api": "v1", "keys": ["email.x"]}: retire keys
  POST /_mock/ship       {"api": "v1", "keys": {"in_app.x": true}}: launch keys
  POST /_mock/ignore     {"api": "v1", "keys": ["email.x"]}: writes of these keys
                         succeed but keep the value the key had
  GET  /_mock/journal    the requests served so far
  POST /_mock/session    {"user": "demo", "lifetime": "2s"}, both optional: a new v1
                         session token (a JWT that expires, as Clerk's do), answered as
                         {"token": T, "expires_at": "<RFC 3339>"}: the output token_command
                         reads, so a token_command can be curl -s -X POST <url>/_mock/session

State file (-state), every part optional:
  {"v1":     {"keys": {"email.product_news": false}, "immutable": ["email.legal"],
              "sessions": {"my-session-token": {"email.weekly_usage_digest": true}}},
   "vastai": {"keys": {"client.maintenance.email": true}, "mandatory": ["client.maintenance.email"],
              "users": [{"id": 7001, "key": "team-key", "preferences": {"client.low_credit.email": false}}]}}
`

// run parses the flags, loads the state file, and serves until the
// listener fails. Nothing is served from a state file that does not load.
func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("notification-mock", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // run prints usage itself: -h to stdout, a mistake to stderr
	defaultAddr := os.Getenv("MOCK_ADDR")
	if defaultAddr == "" {
		defaultAddr = "127.0.0.1:8080"
	}
	addr := flags.String("addr", defaultAddr, "`host:port` to listen on; port 0 picks a free one (default from MOCK_ADDR)")
	stateFile := flags.String("state", "", "JSON `file` of keys, principals and values to start from (see below)")
	failRate := flags.Float64("fail-rate", 0, "answer this fraction (0 to 1) of API requests with 503 and Retry-After: 0, for resilience tests")
	seed := flags.Uint64("seed", 1, "seed for -fail-rate, to replay a run")
	lifetime := flags.Duration("session-lifetime", mockapi.DefaultSessionLifetime, "how long the v1 session tokens POST /_mock/session mints live (the demo session token never expires)")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), usage)
		flags.PrintDefaults()
		fmt.Fprint(flags.Output(), adminHelp)
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			flags.SetOutput(stdout)
			flags.Usage()
			return err
		}
		return fmt.Errorf("%w; see -h", err)
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see -h", flags.Arg(0))
	}
	if *lifetime <= 0 {
		return fmt.Errorf("-session-lifetime must be a positive duration, got %v", *lifetime)
	}
	if *failRate < 0 || *failRate > 1 {
		return fmt.Errorf("-fail-rate must be between 0 and 1, got %v", *failRate)
	}

	mock := mockapi.New()
	if *stateFile != "" {
		data, err := os.ReadFile(*stateFile)
		if err != nil {
			return err
		}
		st, err := mockapi.ParseState(data)
		if err != nil {
			return fmt.Errorf("state file %s: %w", *stateFile, err)
		}
		mock = mockapi.NewFromState(st)
	}
	mock.Seed(*seed)
	mock.SetSessionLifetime(*lifetime)
	if *failRate > 0 {
		mock.Inject(mockapi.Fault{Rate: *failRate, Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	}

	// Listen first so that port 0 works: the first line printed is the
	// address actually bound, which scripts read.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, `%[1]s
notification mock API on %[1]s
  v1 (PATCH):   GET/PATCH %[1]s/v1/me/notifications
                session tokens %[2]q and %[9]q (another user); API key %[3]q (gets 403 USER_REQUIRED)
  vastai (PUT): GET/PUT %[1]s/api/v0/users/%[5]d/notification-prefs/
                API key %[4]q for user %[5]d; API key %[6]q for user %[7]d;
                API key %[8]q for user %[5]d, read-only (user_read, not user_write)
                GET %[1]s/api/v0/users/current/ answers with the key's user
                short-lived session tokens: POST %[1]s/_mock/session (they live %[10]s)
  admin:        %[1]s/_mock/ (reset, set, withdraw, ship, ignore, journal, session; see -h)
`, url, mockapi.DemoSessionToken, mockapi.DemoAPIKey, mockapi.DemoVastKey, mockapi.DemoVastUser, mockapi.OtherVastKey, mockapi.OtherVastUser, mockapi.ReadOnlyVastKey, mockapi.OtherSessionToken, *lifetime)
	if *stateFile != "" {
		fmt.Fprintf(stdout, "  state:        %s\n", *stateFile)
	}
	srv := &http.Server{Handler: mock, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
