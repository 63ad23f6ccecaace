import Logging
import Metrics
import Prometheus

/// Sends every log line through `ServiceLogHandler` at the asked level and format; returns the feed
/// `keyway status --follow` clients read the lines from.
func bootstrapLogging(_ options: ServeOptions) -> LogFeed {
    let feed = LogFeed()
    LoggingSystem.bootstrap { label in
        var handler = ServiceLogHandler(label: label, format: options.logFormat, feed: feed)
        handler.logLevel = options.logLevel
        return handler
    }
    return feed
}

/// Counts into a Prometheus registry, which the metrics endpoint serves.
func bootstrapMetrics() -> PrometheusCollectorRegistry {
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.durationHistogramBuckets["keyway_decision_duration_seconds"] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
    ]
    MetricsSystem.bootstrap(factory)
    return registry
}
