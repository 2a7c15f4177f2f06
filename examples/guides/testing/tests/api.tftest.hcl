# Against an API: the bundled mock (`make mock`) or a test account, named
# by NOTIFICATION_ENDPOINT and NOTIFICATION_TOKEN. The plan checks every
# key against the server, so a misspelt key fails here, not in production.
run "apply" {
  assert {
    condition     = notification_preferences.me.preferences["email.product_updates"] == false
    error_message = "product_updates should be off after apply."
  }
}

# Read the server back through the data source, in a helper module.
run "server_holds_it" {
  module {
    source = "./tests/read"
  }

  assert {
    condition     = data.notification_preferences.current.preferences["email.product_updates"] == false
    error_message = "The server should hold product_updates = false."
  }

  assert {
    condition     = data.notification_preferences.current.preferences["email.weekly_usage_digest"]
    error_message = "The server should hold weekly_usage_digest = true."
  }
}

# A key the mock knows from its state file (mock-state.json), as your
# account would: the plan checks it against the server and accepts it.
run "a_key_of_the_account" {
  variables {
    extra_preferences = { "email.product_news" = true }
  }

  assert {
    condition     = notification_preferences.me.preferences["email.product_news"]
    error_message = "email.product_news should be on after apply."
  }
}
