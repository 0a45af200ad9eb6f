// `npm run build:lambda`: writes dist/lambda/index.js, the same bundle the stack deploys.
import * as crypto from "crypto";
import * as fs from "fs";
import { bundleLambda } from "../src/support/lambda-bundle";

const bundle = bundleLambda();
const bytes = fs.readFileSync(bundle.file);
const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
console.log(`${bundle.file} ${bytes.length} bytes sha256 ${sha256}`);
