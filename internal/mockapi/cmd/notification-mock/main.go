// Command notification-mock serves the mock notification APIs for a person
// trying the provider: `make mock`, then point the provider at it.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
)

func main() {
	addr := os.Getenv("MOCK_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	// Listen first so that MOCK_ADDR=127.0.0.1:0 works: the first line
	// printed is the address actually bound, which scripts read.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	fmt.Printf(`%[1]s
notification mock API on %[1]s
  v1 (PATCH):   GET/PATCH %[1]s/v1/me/notifications
                session token %[2]q; API key %[3]q (gets 403 USER_REQUIRED)
  vastai (PUT): GET/PUT %[1]s/api/v0/users/%[5]d/notification-prefs/
                API key %[4]q for user %[5]d; API key %[6]q for user %[7]d;
                API key %[8]q for user %[5]d, read-only (user_read, not user_write)
                GET %[1]s/api/v0/users/current/ answers with the key's user
`, url, mockapi.DemoSessionToken, mockapi.DemoAPIKey, mockapi.DemoVastKey, mockapi.DemoVastUser, mockapi.OtherVastKey, mockapi.OtherVastUser, mockapi.ReadOnlyVastKey)
	srv := &http.Server{Handler: mockapi.New(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
