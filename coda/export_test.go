package coda

// WithBatchLimits lets the external tests make small batches.
var WithBatchLimits = withBatchLimits
