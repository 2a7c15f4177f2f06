import {
  to = notification_preferences.me
  id = "me"
}
