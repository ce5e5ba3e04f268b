// Jest globalTeardown: runs after the summary, so the shared-fixtures line closes the run.
module.exports = require("./shared-fixtures-reporter").printSharedFixturesLine;
