// The preset dictionary of codec 1 (domain/eventCodec.ts): fragments of ECS event JSON as
// JSON.stringify writes it, from the field names and enumerated values of the Amazon ECS API and
// event reference (Task, Container, ContainerInstance, Attachment, Resource, VersionInfo, service
// action and deployment events, container-agent attributes). Written by hand from that reference,
// never derived from the events it is measured on (samples/, sim/), and FROZEN: an item written
// with codec 1 inflates only with these exact bytes, so any change is a new codec id with a new
// dictionary, and this one stays for ever. Deflate reaches 32 KiB back and codes near matches
// cheapest, so the most frequent fragments (the envelope, task fields) come last.

const INSTANCE_ATTRIBUTES = [
  'com.amazonaws.ecs.capability.privileged-container',
  'com.amazonaws.ecs.capability.docker-remote-api.1.17',
  'com.amazonaws.ecs.capability.docker-remote-api.1.18',
  'com.amazonaws.ecs.capability.docker-remote-api.1.19',
  'com.amazonaws.ecs.capability.docker-remote-api.1.20',
  'com.amazonaws.ecs.capability.docker-remote-api.1.21',
  'com.amazonaws.ecs.capability.docker-remote-api.1.22',
  'com.amazonaws.ecs.capability.docker-remote-api.1.23',
  'com.amazonaws.ecs.capability.docker-remote-api.1.24',
  'com.amazonaws.ecs.capability.docker-remote-api.1.25',
  'com.amazonaws.ecs.capability.docker-remote-api.1.26',
  'com.amazonaws.ecs.capability.docker-remote-api.1.27',
  'com.amazonaws.ecs.capability.docker-remote-api.1.28',
  'com.amazonaws.ecs.capability.docker-remote-api.1.29',
  'com.amazonaws.ecs.capability.docker-remote-api.1.30',
  'com.amazonaws.ecs.capability.docker-remote-api.1.31',
  'com.amazonaws.ecs.capability.docker-remote-api.1.32',
  'com.amazonaws.ecs.capability.docker-remote-api.1.38',
  'com.amazonaws.ecs.capability.docker-remote-api.1.39',
  'com.amazonaws.ecs.capability.docker-remote-api.1.40',
  'com.amazonaws.ecs.capability.docker-remote-api.1.41',
  'com.amazonaws.ecs.capability.docker-remote-api.1.42',
  'com.amazonaws.ecs.capability.docker-remote-api.1.43',
  'com.amazonaws.ecs.capability.docker-remote-api.1.44',
  'com.amazonaws.ecs.capability.logging-driver.json-file',
  'com.amazonaws.ecs.capability.logging-driver.syslog',
  'com.amazonaws.ecs.capability.logging-driver.awslogs',
  'com.amazonaws.ecs.capability.logging-driver.fluentd',
  'com.amazonaws.ecs.capability.logging-driver.gelf',
  'com.amazonaws.ecs.capability.logging-driver.journald',
  'com.amazonaws.ecs.capability.logging-driver.splunk',
  'com.amazonaws.ecs.capability.logging-driver.awsfirelens',
  'com.amazonaws.ecs.capability.logging-driver.none',
  'com.amazonaws.ecs.capability.ecr-auth',
  'com.amazonaws.ecs.capability.task-iam-role',
  'com.amazonaws.ecs.capability.task-iam-role-network-host',
  'ecs.capability.execution-role-ecr-pull',
  'ecs.capability.execution-role-awslogs',
  'ecs.capability.task-eni',
  'ecs.capability.task-eni-trunking',
  'ecs.capability.task-eia',
  'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.secrets.ssm.environment-variables',
  'ecs.capability.secrets.ssm.bootstrap.log-config',
  'ecs.capability.private-registry-authentication.secretsmanager',
  'ecs.capability.container-health-check',
  'ecs.capability.container-ordering',
  'ecs.capability.full-sync',
  'ecs.capability.efs',
  'ecs.capability.efsAuth',
  'ecs.capability.firelens.fluentbit',
  'ecs.capability.firelens.fluentd',
  'ecs.capability.firelens.options.config.file',
  'ecs.capability.firelens.options.config.s3',
  'ecs.capability.aws-appmesh',
  'ecs.capability.pid-ipc-namespace-sharing',
  'ecs.capability.docker-plugin.local',
  'ecs.capability.env-files.s3',
  'ecs.capability.increased-task-cpu-limit',
  'ecs.capability.gmsa',
  'ecs.capability.logging-driver.awsfirelens.log-driver-buffer-limit',
  'ecs.capability.network.container-port-range',
  'ecs.capability.service-connect-v1',
  'ecs.capability.external',
];

const INSTANCE_ATTRIBUTE_VALUES = [
  '{"name":"ecs.ami-id","value":"ami-',
  '{"name":"ecs.availability-zone","value":"us-east-1a"}',
  '{"name":"ecs.instance-type","value":"m5.large"}',
  '{"name":"ecs.os-type","value":"linux"}',
  '{"name":"ecs.os-family","value":"LINUX"}',
  '{"name":"ecs.vpc-id","value":"vpc-',
  '{"name":"ecs.subnet-id","value":"subnet-',
  '{"name":"ecs.capability.cni-plugin-version","value":"',
];

const INSTANCE = [
  '"detail-type":"ECS Container Instance State Change"',
  `"detail":{"agentConnected":true,"agentUpdateStatus":"UPDATED","attachments":[],"attributes":[${INSTANCE_ATTRIBUTES.map(
    (name) => `{"name":"${name}"}`,
  ).join(',')},${INSTANCE_ATTRIBUTE_VALUES.join('"},')}"}]`,
  ',"clusterArn":"arn:aws:ecs:us-east-1:',
  ':cluster/","containerInstanceArn":"arn:aws:ecs:us-east-1:',
  ':container-instance/","ec2InstanceId":"i-0',
  '","pendingTasksCount":0,"registeredAt":"2',
  '","registeredResources":[{"name":"CPU","type":"INTEGER","integerValue":2048},{"name":"MEMORY","type":"INTEGER","integerValue":',
  '},{"name":"PORTS","type":"STRINGSET","stringSetValue":["22","2376","2375","51678","51679"]},{"name":"PORTS_UDP","type":"STRINGSET","stringSetValue":[]}]',
  ',"remainingResources":[{"name":"CPU","type":"INTEGER","integerValue":1024},{"name":"MEMORY","type":"INTEGER","integerValue":',
  ',"doubleValue":0.0,"longValue":0,"integerValue":0',
  ',"runningTasksCount":0,"status":"ACTIVE","statusReason":"","version":',
  ',"versionInfo":{"agentHash":"","agentVersion":"1.',
  '","dockerVersion":"DockerVersion: 20.10.',
  '"}',
  '"status":"DRAINING"',
  '"status":"INACTIVE"',
  '"status":"REGISTERING"',
  '"status":"DEREGISTERING"',
  '"agentConnected":false',
];

const SERVICE = [
  '{"version":"0","id":"","detail-type":"ECS Service Action","source":"aws.ecs","account":"',
  '","time":"2',
  '","region":"us-east-1","resources":["arn:aws:ecs:us-east-1:',
  ':service/',
  '"],"detail":{"eventType":"INFO","eventName":"SERVICE_STEADY_STATE","clusterArn":"arn:aws:ecs:us-east-1:',
  ':cluster/","createdAt":"2',
  '"eventName":"TASKSET_STEADY_STATE"',
  '"eventName":"CAPACITY_PROVIDER_STEADY_STATE"',
  '"eventName":"SERVICE_DESIRED_COUNT_UPDATED"',
  '"eventType":"WARN","eventName":"SERVICE_TASK_START_IMPAIRED"',
  '"eventName":"SERVICE_DISCOVERY_INSTANCE_UNHEALTHY"',
  '"eventType":"ERROR","eventName":"SERVICE_TASK_PLACEMENT_FAILURE"',
  '"eventName":"SERVICE_TASK_CONFIGURATION_FAILURE"',
  '"eventName":"SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED"',
  '"eventName":"ECS_OPERATION_THROTTLED"',
  '"eventName":"SERVICE_DISCOVERY_OPERATION_THROTTLED"',
  '"eventName":"SERVICE_HEALTH_UNKNOWN"',
  ',"capacityProviderArns":["arn:aws:ecs:us-east-1:',
  ':capacity-provider/',
  ',"desiredCount":',
  '"reasons":["',
  '"taskArns":["',
  '"targetGroupArns":["arn:aws:elasticloadbalancing:us-east-1:',
  ':targetgroup/',
  '"taskSetArns":["',
  ':task-set/',
  '{"version":"0","id":"","detail-type":"ECS Deployment State Change","source":"aws.ecs","account":"',
  '"],"detail":{"eventType":"INFO","eventName":"SERVICE_DEPLOYMENT_IN_PROGRESS","deploymentId":"ecs-svc/',
  '","updatedAt":"2',
  '","reason":"ECS deployment circuit breaker: ',
  '"eventName":"SERVICE_DEPLOYMENT_COMPLETED"',
  '"eventType":"ERROR","eventName":"SERVICE_DEPLOYMENT_FAILED"',
  'rolling back to deploymentId ecs-svc/',
  'task failed to start',
  'deployment completed',
  'ECS deployment ecs-svc/',
];

const TASK_ATTACHMENT =
  '"attachments":[{"id":"","type":"eni","status":"ATTACHED","details":[{"name":"subnetId","value":"subnet-0' +
  '"},{"name":"networkInterfaceId","value":"eni-0"},{"name":"macAddress","value":"0a:' +
  '"},{"name":"privateDnsName","value":"ip-10-0-' +
  '.ec2.internal"},{"name":"privateIPv4Address","value":"10.0.' +
  '"},{"name":"ipv6Address","value":"' +
  '"}]}],"attributes":[{"name":"ecs.cpu-architecture","value":"x86_64"}],"availabilityZone":"us-east-1';

const TASK_CONTAINER =
  '"containers":[{"containerArn":"arn:aws:ecs:us-east-1:' +
  ':container/","lastStatus":"PENDING","name":"app","image":"' +
  '.dkr.ecr.us-east-1.amazonaws.com/' +
  ':latest","imageDigest":"sha256:' +
  '","runtimeId":"","taskArn":"arn:aws:ecs:us-east-1:' +
  ':task/","networkInterfaces":[{"attachmentId":"","privateIpv4Address":"10.0.' +
  '"}],"networkBindings":[{"bindIP":"0.0.0.0","containerPort":80,"hostPort":80,"protocol":"tcp"}],' +
  '"healthStatus":"UNKNOWN","managedAgents":[{"name":"ExecuteCommandAgent","lastStatus":"RUNNING"}],' +
  '"cpu":"0","memory":"512","memoryReservation":"","gpuIds":[],"exitCode":0,"reason":"' +
  '"}]';

const TASK_VALUES = [
  '"lastStatus":"PROVISIONING"',
  '"lastStatus":"ACTIVATING"',
  '"lastStatus":"DEACTIVATING"',
  '"lastStatus":"STOPPING"',
  '"lastStatus":"DEPROVISIONING"',
  '"lastStatus":"STOPPED"',
  '"lastStatus":"RUNNING"',
  '"stopCode":"TaskFailedToStart"',
  '"stopCode":"SpotInterruption"',
  '"stopCode":"TerminationNotice"',
  '"stopCode":"ServiceSchedulerInitiated"',
  '"stopCode":"UserInitiated"',
  '"stopCode":"EssentialContainerExited"',
  '"stoppedReason":"CannotPullContainerError: ',
  'ResourceInitializationError: ',
  'Task failed ELB health checks in ',
  '"stoppedReason":"Your Spot Task was interrupted."',
  '"stoppedReason":"Task stopped by user"',
  '"stoppedReason":"Scaling activity initiated by (deployment ecs-svc/',
  '"stoppedReason":"Essential container in task exited"',
  '"healthStatus":"HEALTHY"',
  '"healthStatus":"UNHEALTHY"',
  '"launchType":"EC2"',
  '"launchType":"EXTERNAL"',
  '"capacityProviderName":"FARGATE_SPOT"',
  '"platformFamily":"Linux","platformVersion":"1.4.0"',
  '"ephemeralStorage":{"sizeInGiB":20}',
  '"inferenceAcceleratorOverrides":[]',
  '"environment":[{"name":"',
  '","value":"',
  '"command":["',
  '"executionRoleArn":"arn:aws:iam::',
  ':role/ecsTaskExecutionRole"',
  '"taskRoleArn":"arn:aws:iam::',
  '"public.ecr.aws/',
  '"docker.io/library/',
  '"x86_64"',
  '"arm64"',
  '"stoppingAt":"2',
  '"stoppedAt":"2',
  '"executionStoppedAt":"2',
  '"containerInstanceArn":"arn:aws:ecs:us-east-1:',
  ':container-instance/',
];

const TASK =
  '{"version":"0","id":"","detail-type":"ECS Task State Change","source":"aws.ecs","account":"' +
  '","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":["arn:aws:ecs:us-east-1:' +
  `:task/"],"detail":{${TASK_ATTACHMENT}` +
  'a","capacityProviderName":"FARGATE","clusterArn":"arn:aws:ecs:us-east-1:' +
  ':cluster/","connectivity":"CONNECTED","connectivityAt":"2026-01-01T00:00:00.000Z",' +
  TASK_CONTAINER +
  ',"cpu":"256","createdAt":"2026-01-01T00:00:00.000Z","desiredStatus":"RUNNING","enableExecuteCommand":false,' +
  '"group":"service:","family:","launchType":"FARGATE","lastStatus":"PENDING","memory":"512",' +
  '"overrides":{"containerOverrides":[{"name":"app"}]},"platformVersion":"1.4.0",' +
  '"pullStartedAt":"2026-01-01T00:00:00.000Z","pullStoppedAt":"2026-01-01T00:00:00.000Z",' +
  '"startedAt":"2026-01-01T00:00:00.000Z","startedBy":"ecs-svc/","stopCode":"EssentialContainerExited",' +
  '"stoppedReason":"Essential container in task exited","desiredStatus":"STOPPED","taskArn":"arn:aws:ecs:us-east-1:' +
  ':task/","taskDefinitionArn":"arn:aws:ecs:us-east-1::task-definition/' +
  '","updatedAt":"2026-01-01T00:00:00.000Z","version":1}}';

/** Codec 1's preset dictionary, as UTF-8 bytes. Frozen: see the header. */
export const ECS_EVENT_DICTIONARY_V1: Buffer = Buffer.from(
  [...INSTANCE, ...SERVICE, ...TASK_VALUES, TASK].join(''),
  'utf8',
);
