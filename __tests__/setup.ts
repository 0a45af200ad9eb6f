// cdktf's jest matchers (toHaveResourceWithProperties, ...) and aws-sdk-client-mock's matchers.
import { Testing } from "cdktf";
import "aws-sdk-client-mock-jest";

Testing.setupJest();
