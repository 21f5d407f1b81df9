// Headless Chromium for tests that look at kumi's web pages (the build report, the live page).
export { allowedUrl, CHROMIUM_PATH, chromiumMissing, launchChromium, type LaunchOptions, type TestBrowser } from './chromium';
export { followLivePage, type LiveEvent, type LiveFollow } from './live-page';
export { artifactsDir, assertBuildReport, assertReportInChromium, checkReportDom, keepScreenshot, readReportDom, type ExpectedReport, type ReportDom } from './report-dom';
