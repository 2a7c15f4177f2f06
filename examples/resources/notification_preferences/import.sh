# v1: the preferences document of the token's user is "me".
terraform import notification_preferences.me me

# vastai: the user id.
terraform import notification_preferences.vast 4242
