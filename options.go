//go:build !blackbox

package main

// binaryOptions are what main passes to run: none, so that the shipped
// binary waits for Coda, paces and times out as package coda does by
// default, and bounds the Code Insights report by
// pipelines.DefaultReportTimeout. The build that test/ runs passes its own
// (options_blackbox.go).
func binaryOptions() options { return options{} }
