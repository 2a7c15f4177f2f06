// Command notification-mock serves the mock notification APIs for a person
// trying the provider: `make mock`, then point the provider at it.
package main

import (
	"fmt"
	"log"
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
	fmt.Printf(`notification mock API on http://%[1]s
  v1 (PATCH):  GET/PATCH http://%[1]s/v1/me/notifications
               session token %[2]q; API key %[3]q (gets 403 USER_REQUIRED)
  vastai (PUT): GET/PUT http://%[1]s/api/v0/users/%[5]d/notification-prefs/
               API key %[4]q for user %[5]d
`, addr, mockapi.DemoSessionToken, mockapi.DemoAPIKey, mockapi.DemoVastKey, mockapi.DemoVastUser)
	srv := &http.Server{Addr: addr, Handler: mockapi.New(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
