package provider

import (
	"os"
	"strings"
)

// Terraform (and OpenTofu, which keeps its rule) reads every line a
// provider writes and parses it as a JSON log entry before it decides
// whether to keep it. It keeps a provider's lines only when TF_LOG_PROVIDER
// or TF_LOG is set: otherwise every line the SDK, the framework and this
// provider write is parsed and thrown away, some forty per cent of the
// time of a plan of hundreds of resources. The SDK's loggers default to
// TRACE whatever Terraform will do with their lines
// (terraform-plugin-framework issue 1269), so the provider switches them
// off itself when nobody will read them.

// logReaders are the variables any of which, set, means someone reads the
// provider's logs: Terraform's own, the SDK's per-logger levels, and those
// terraform-plugin-testing reads to write a test's logs to files.
var logReaders = []string{
	"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_NOTIFICATION",
	"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK",
	"TF_ACC_LOG", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK",
}

// loggerLevels are the variables that set the level of every logger in
// the provider process: the SDK's root and protocol loggers, the
// framework's, and this provider's own (tflog), named after its address.
var loggerLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_NOTIFICATION"}

// unreadLoggers returns the logger level variables to set to OFF: all of
// them when no log reader is set (OFF, which OpenTofu accepts as a level,
// reads nothing), none when one is.
func unreadLoggers(getenv func(string) string) []string {
	for _, v := range logReaders {
		if level := getenv(v); level != "" && !strings.EqualFold(level, "off") {
			return nil
		}
	}
	return loggerLevels
}

// SilenceUnreadLogs switches every logger of the provider process off when
// Terraform would throw their lines away. It must run before the provider
// serves, which is when the loggers read their levels.
func SilenceUnreadLogs() error {
	for _, v := range unreadLoggers(os.Getenv) {
		if err := os.Setenv(v, "OFF"); err != nil {
			return err
		}
	}
	return nil
}
